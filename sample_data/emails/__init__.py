"""Sample A-to-z e-mails written for atoz (invented orders), read by `atoz demo`."""
