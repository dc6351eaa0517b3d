"""The question and coding-challenge library: items with versions under an approval workflow
(draft → in_review → approved / rejected → retired), AI drafting from a job description,
near-duplicate detection, code runs against a challenge's tests, import/export and a starter
library. See docs/library.md."""
