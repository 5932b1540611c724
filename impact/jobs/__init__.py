"""Background work done by ``flask jobs run`` (from cron or as a service), and its health."""
