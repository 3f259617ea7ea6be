-- Where a change set's changes came from when that is a file (an import's file name), so a
-- history can say "Imported by alice from sites.csv".
ALTER TABLE change_sets ADD COLUMN source TEXT;
