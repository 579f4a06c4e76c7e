"""The data layer: pynamodb models and repositories. The only package that talks to DynamoDB."""
