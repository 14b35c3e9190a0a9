-- The index of bench/inbox/proposed.patch (tandem/inbox/migrations/0003_conversation_open_recent.py),
-- as `tandem sqlmigrate inbox 0003` prints it: the open queues, in list order, covering the columns
-- their filters, counts and versions read.
CREATE INDEX "conversation_open_recent" ON "inbox_conversation" ("regional_bank_id", "last_message_at" DESC, "id" DESC) INCLUDE ("branch_id", "assignee_id", "team_id", "updated_at", "first_response_due_at", "next_response_due_at") WHERE "status" IN ('open', 'waiting');
