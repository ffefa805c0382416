terraform {
  # 1.6+ for the s3 backend options used by the build (and `optional()` object attributes).
  required_version = ">= 1.6.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80.0, < 7.0.0"
    }
  }

  # Remote state with locking. The bucket, key, region and lock table are supplied by the build
  # (`terraform init -backend-config=...`, see infra/buildspec.yml), so nothing account-specific is
  # committed here.
  backend "s3" {
    encrypt = true
  }
}
