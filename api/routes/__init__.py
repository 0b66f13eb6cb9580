"""HTTP routes: translate requests to service calls and service errors to statuses (in ``api.app``)."""
