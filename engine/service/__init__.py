"""The CDS Hooks service (`setpoint serve`): FastAPI app, cards, feedback store and settings."""
