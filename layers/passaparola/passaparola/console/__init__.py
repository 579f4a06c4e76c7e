"""The console's people: sign-in through the Cognito user pool, their roles, and the owner's keys and users."""
