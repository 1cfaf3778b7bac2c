"""What every domain package uses: connection types, strict models, pagination, HTML rendering,
the API router and the pool that runs CPU work in processes. Imports no domain package."""
