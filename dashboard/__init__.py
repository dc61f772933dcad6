"""The Dash web app over the warehouse: create_app(settings) in dashboard.app."""
