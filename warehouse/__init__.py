"""Step 3 of the data path: store and query parsed reports (SQLModel)."""
