"""AWS sources: authorization details, CloudFormation templates, the credential report and bare policy documents.
What an IAM policy means is `policylint.iam`, shared by all of them."""
