from django.urls import path

from tandem.inbox import view_actions, views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("equipe/", views.team_view, name="team"),
    path("presence/", view_actions.presence, name="presence"),
    path("c/<str:conversation_id>/", views.conversation_detail, name="conversation"),
    path("c/<str:conversation_id>/reply/", view_actions.reply, name="reply"),
    path("c/<str:conversation_id>/note/", view_actions.note, name="note"),
    path("c/<str:conversation_id>/resolve/", view_actions.resolve, name="resolve"),
    path("c/<str:conversation_id>/snooze/", view_actions.snooze, name="snooze"),
    path("c/<str:conversation_id>/transfer/", view_actions.transfer, name="transfer"),
    path("c/<str:conversation_id>/take/", view_actions.take_over, name="take"),
    path("c/<str:conversation_id>/tag/", view_actions.tag, name="tag"),
    path("c/<str:conversation_id>/unlink/", view_actions.unlink, name="unlink"),
    path("c/<str:conversation_id>/merge/", view_actions.merge, name="merge"),
    path(
        "c/<str:conversation_id>/m/<str:message_id>/moderate/",
        view_actions.moderate,
        name="moderate",
    ),
]
