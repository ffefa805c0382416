terraform {
  # 1.6+ for the s3 backend options used by the build (and `optional()` object attributes).
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    # 6.x: infra/checks verifies every type, argument, block and attribute against the 6.x schema
    # (the provider version of @cdktn/provider-aws in infra/checks/package.json).
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0.0, < 7.0.0"
    }
  }

  # Remote state with locking. The bucket, key, region and lock table are supplied by the build
  # (`terraform init -backend-config=...`, see infra/buildspec.yml), so nothing account-specific is
  # committed here.
  backend "s3" {
    encrypt = true
  }
}
