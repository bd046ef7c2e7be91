-- Public lists read `status IN ('published', 'scheduled') AND published_at <= now
-- ORDER BY published_at DESC, id DESC LIMIT n`. With `status` leading, the
-- index cannot give that order for two statuses, so every visible row was
-- sorted (bodies included) to return 20. Leading with the sort key, the scan
-- walks the index in order, checks status and category in the index entry,
-- and stops after n matches: page 1 and a deep cursor page cost the same.
CREATE INDEX articles_published_list ON articles (published_at DESC, id DESC, status, category_id);
