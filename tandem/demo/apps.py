from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: seeds every app's demo data and runs Tandem with simulated traffic.

    At the top of the dependency graph (like analytics): it may import every app, and no app
    imports it.
    """

    name = "tandem.demo"
    label = "demo"
    verbose_name = "Demo"
