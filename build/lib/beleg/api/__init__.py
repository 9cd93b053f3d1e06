"""HTTP surface: FastAPI routers and schemas. Translates HTTP <-> services/queries, nothing else."""
