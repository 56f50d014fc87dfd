"""Step 4 of the data path: check the identities (勾稽关系) of stored reports."""
