"""The Docker-free local stack: moto + a local API gateway, both driven by template.yaml."""
