"""Services: pure game rules plus the async services that own the database and publish events after commit."""
