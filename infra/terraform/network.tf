# A VPC with private subnets only: nothing here is reachable from, or reaches, the internet. AWS services
# are reached through VPC endpoints, the source database through a VPN or Direct Connect attachment.

resource "aws_vpc" "main" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = local.name })
}

# The default security group allows traffic between its members; take every rule away so that nothing
# uses it by accident.
resource "aws_default_security_group" "main" {
  provider = aws.untagged # no tags: see the provider in main.tf
  vpc_id   = aws_vpc.main.id
}

resource "aws_subnet" "private" {
  count = length(var.private_subnet_cidrs)

  vpc_id                  = aws_vpc.main.id
  cidr_block              = var.private_subnet_cidrs[count.index]
  availability_zone       = data.aws_availability_zones.available.names[count.index % length(data.aws_availability_zones.available.names)]
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${local.name}-private-${count.index}", Tier = "private" })
}

resource "aws_route_table" "private" {
  count = length(aws_subnet.private)

  vpc_id = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-private-${count.index}" })
}

resource "aws_route_table_association" "private" {
  count = length(aws_subnet.private)

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# ---------------------------------------------------------------------------------------------------
# On-premises connectivity: a virtual private gateway, plus either a Site-to-Site VPN or an
# association with an existing Direct Connect gateway. Routes to the on-premises CIDRs point at it.
# ---------------------------------------------------------------------------------------------------

resource "aws_vpn_gateway" "onprem" {
  vpc_id = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-onprem" })
}

resource "aws_customer_gateway" "onprem" {
  count = var.onprem_connectivity == "vpn" ? 1 : 0

  bgp_asn    = var.customer_gateway_bgp_asn
  ip_address = var.customer_gateway_ip
  type       = "ipsec.1"

  tags = merge(var.tags, { Name = "${local.name}-onprem" })

  lifecycle {
    precondition {
      condition     = var.customer_gateway_ip != null
      error_message = "customer_gateway_ip is required when onprem_connectivity = vpn."
    }
  }
}

resource "aws_vpn_connection" "onprem" {
  count = var.onprem_connectivity == "vpn" ? 1 : 0

  vpn_gateway_id      = aws_vpn_gateway.onprem.id
  customer_gateway_id = aws_customer_gateway.onprem[0].id
  type                = "ipsec.1"
  static_routes_only  = true

  tunnel1_ike_versions                 = ["ikev2"]
  tunnel2_ike_versions                 = ["ikev2"]
  tunnel1_phase1_encryption_algorithms = ["AES256-GCM-16"]
  tunnel2_phase1_encryption_algorithms = ["AES256-GCM-16"]
  tunnel1_phase2_encryption_algorithms = ["AES256-GCM-16"]
  tunnel2_phase2_encryption_algorithms = ["AES256-GCM-16"]
  tunnel1_phase1_integrity_algorithms  = ["SHA2-256"]
  tunnel2_phase1_integrity_algorithms  = ["SHA2-256"]
  tunnel1_phase2_integrity_algorithms  = ["SHA2-256"]
  tunnel2_phase2_integrity_algorithms  = ["SHA2-256"]
  tunnel1_phase1_dh_group_numbers      = [20]
  tunnel2_phase1_dh_group_numbers      = [20]
  tunnel1_phase2_dh_group_numbers      = [20]
  tunnel2_phase2_dh_group_numbers      = [20]

  tags = merge(var.tags, { Name = "${local.name}-onprem" })
}

resource "aws_vpn_connection_route" "onprem" {
  count = var.onprem_connectivity == "vpn" ? length(var.onprem_cidrs) : 0

  vpn_connection_id      = aws_vpn_connection.onprem[0].id
  destination_cidr_block = var.onprem_cidrs[count.index]
}

resource "aws_dx_gateway_association" "onprem" {
  count = var.onprem_connectivity == "direct_connect" ? 1 : 0

  dx_gateway_id         = var.direct_connect_gateway_id
  associated_gateway_id = aws_vpn_gateway.onprem.id
  allowed_prefixes      = [var.vpc_cidr]

  lifecycle {
    precondition {
      condition     = var.direct_connect_gateway_id != null
      error_message = "direct_connect_gateway_id is required when onprem_connectivity = direct_connect."
    }
  }
}

resource "aws_route" "onprem" {
  for_each = {
    for pair in setproduct(range(length(var.private_subnet_cidrs)), var.onprem_cidrs) :
    "${pair[0]}-${pair[1]}" => { route_table = pair[0], cidr = pair[1] }
  }

  route_table_id         = aws_route_table.private[each.value.route_table].id
  destination_cidr_block = each.value.cidr
  gateway_id             = aws_vpn_gateway.onprem.id
}

# ---------------------------------------------------------------------------------------------------
# On-premises DNS: queries for the on-premises domains (onprem_dns_domains) are forwarded by a Route 53
# Resolver outbound endpoint in the private subnets to the on-premises DNS servers (onprem_dns_servers),
# so that source_host may be an on-premises host name. Nothing is created while onprem_dns_domains is
# empty (source_host is then an IP address or a name that resolves publicly).
# ---------------------------------------------------------------------------------------------------

locals {
  onprem_dns_enabled = length(var.onprem_dns_domains) > 0
}

resource "aws_security_group" "resolver" {
  count = local.onprem_dns_enabled ? 1 : 0

  name        = "${local.name}-resolver"
  description = "Route 53 Resolver outbound endpoint: DNS to the on-premises DNS servers only"
  vpc_id      = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-resolver" })
}

resource "aws_vpc_security_group_egress_rule" "resolver_to_onprem_dns" {
  for_each = {
    for pair in setproduct(local.onprem_dns_enabled ? var.onprem_dns_servers : [], ["tcp", "udp"]) :
    "${pair[0]}-${pair[1]}" => { ip = pair[0], protocol = pair[1] }
  }

  security_group_id = aws_security_group.resolver[0].id
  description       = "DNS server on premises"
  ip_protocol       = each.value.protocol
  from_port         = 53
  to_port           = 53
  cidr_ipv4         = "${each.value.ip}/32"

  tags = merge(var.tags, { Name = "${local.name}-resolver-to-onprem-dns" })
}

resource "aws_route53_resolver_endpoint" "onprem" {
  count = local.onprem_dns_enabled ? 1 : 0

  name               = "${local.name}-onprem-dns"
  direction          = "OUTBOUND"
  security_group_ids = [aws_security_group.resolver[0].id]
  protocols          = ["Do53"]

  # One address in each private subnet (at least two, as the resolver requires).
  dynamic "ip_address" {
    for_each = aws_subnet.private[*].id

    content {
      subnet_id = ip_address.value
    }
  }

  tags = merge(var.tags, { Name = "${local.name}-onprem-dns" })

  lifecycle {
    precondition {
      condition     = length(var.onprem_dns_servers) > 0
      error_message = "onprem_dns_servers must list the on-premises DNS servers when onprem_dns_domains is set."
    }
  }
}

resource "aws_route53_resolver_rule" "onprem" {
  for_each = toset(var.onprem_dns_domains)

  name                 = "${local.name}-${replace(each.key, ".", "-")}"
  domain_name          = each.key
  rule_type            = "FORWARD"
  resolver_endpoint_id = aws_route53_resolver_endpoint.onprem[0].id

  dynamic "target_ip" {
    for_each = var.onprem_dns_servers

    content {
      ip   = target_ip.value
      port = 53
    }
  }

  tags = merge(var.tags, { Name = "${local.name}-${each.key}" })
}

resource "aws_route53_resolver_rule_association" "onprem" {
  for_each = aws_route53_resolver_rule.onprem

  name             = "${local.name}-${replace(each.key, ".", "-")}"
  resolver_rule_id = each.value.id
  vpc_id           = aws_vpc.main.id
}

# ---------------------------------------------------------------------------------------------------
# Security groups: egress only to the database port of the on-premises CIDRs and to AWS endpoints.
# ---------------------------------------------------------------------------------------------------

resource "aws_security_group" "flink" {
  name        = "${local.name}-flink"
  description = "Managed Flink application: database port on premises and AWS endpoints only"
  vpc_id      = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-flink" })
}

resource "aws_security_group" "glue" {
  name        = "${local.name}-glue"
  description = "Glue jobs: between their own workers, database port on premises and AWS endpoints"
  vpc_id      = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-glue" })
}

resource "aws_security_group" "endpoints" {
  name        = "${local.name}-endpoints"
  description = "Interface VPC endpoints: HTTPS from the Flink application and the Glue jobs"
  vpc_id      = aws_vpc.main.id

  tags = merge(var.tags, { Name = "${local.name}-endpoints" })
}

locals {
  workload_security_groups = {
    flink = aws_security_group.flink.id
    glue  = aws_security_group.glue.id
  }
  gateway_prefix_lists = {
    s3       = aws_vpc_endpoint.s3.prefix_list_id
    dynamodb = aws_vpc_endpoint.dynamodb.prefix_list_id
  }
}

resource "aws_vpc_security_group_egress_rule" "to_database" {
  for_each = {
    for pair in setproduct(keys(local.workload_security_groups), var.onprem_cidrs) :
    "${pair[0]}-${pair[1]}" => { sg = local.workload_security_groups[pair[0]], cidr = pair[1] }
  }

  security_group_id = each.value.sg
  description       = "Source database on premises"
  ip_protocol       = "tcp"
  from_port         = var.source_port
  to_port           = var.source_port
  cidr_ipv4         = each.value.cidr

  tags = merge(var.tags, { Name = "${local.name}-to-database" })
}

resource "aws_vpc_security_group_egress_rule" "to_endpoints" {
  for_each = local.workload_security_groups

  security_group_id            = each.value
  description                  = "Interface VPC endpoints (HTTPS)"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints.id

  tags = merge(var.tags, { Name = "${local.name}-to-endpoints" })
}

resource "aws_vpc_security_group_egress_rule" "to_gateway_endpoints" {
  for_each = {
    for pair in setproduct(keys(local.workload_security_groups), keys(local.gateway_prefix_lists)) :
    "${pair[0]}-${pair[1]}" => { sg = local.workload_security_groups[pair[0]], prefix_list = local.gateway_prefix_lists[pair[1]] }
  }

  security_group_id = each.value.sg
  description       = "S3 and DynamoDB gateway endpoints (HTTPS)"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = each.value.prefix_list

  tags = merge(var.tags, { Name = "${local.name}-to-gateway-endpoints" })
}

# Glue requires a self-referencing rule so that the driver and executors of one job reach each other.
resource "aws_vpc_security_group_ingress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue workers of the same job (required by Glue)"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue.id

  tags = merge(var.tags, { Name = "${local.name}-glue-self" })
}

resource "aws_vpc_security_group_egress_rule" "glue_self" {
  security_group_id            = aws_security_group.glue.id
  description                  = "Glue workers of the same job (required by Glue)"
  ip_protocol                  = "tcp"
  from_port                    = 0
  to_port                      = 65535
  referenced_security_group_id = aws_security_group.glue.id

  tags = merge(var.tags, { Name = "${local.name}-glue-self" })
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_workloads" {
  for_each = local.workload_security_groups

  security_group_id            = aws_security_group.endpoints.id
  description                  = "HTTPS from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = each.value

  tags = merge(var.tags, { Name = "${local.name}-endpoints-from-${each.key}" })
}

# ---------------------------------------------------------------------------------------------------
# VPC endpoints
# ---------------------------------------------------------------------------------------------------

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = merge(var.tags, { Name = "${local.name}-s3" })
}

resource "aws_vpc_endpoint" "dynamodb" {
  vpc_id            = aws_vpc.main.id
  service_name      = "com.amazonaws.${local.region}.dynamodb"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = aws_route_table.private[*].id

  tags = merge(var.tags, { Name = "${local.name}-dynamodb" })
}

locals {
  interface_endpoints = toset(["glue", "sts", "secretsmanager", "monitoring", "logs", "kms"])
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.${local.region}.${each.key}"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = aws_subnet.private[*].id
  security_group_ids  = [aws_security_group.endpoints.id]
  private_dns_enabled = true

  tags = merge(var.tags, { Name = "${local.name}-${each.key}" })
}

# ---------------------------------------------------------------------------------------------------
# Flow logs
# ---------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/tributary/${local.name}/vpc-flow-logs"
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = aws_kms_key.main.arn

  tags = merge(var.tags, { Name = "${local.name}-vpc-flow-logs" })
}

resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn         = aws_iam_role.flow_logs.arn

  tags = merge(var.tags, { Name = "${local.name}" })
}
