"""The bundled demo snapshot: ``site/`` (served by ``regwatch.app.demo``), ``sources.yaml``, ``expected.yaml``."""
