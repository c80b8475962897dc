"""Where each spec tag goes: its ``AsyncClient`` attribute and generated module, or hand-written."""

from __future__ import annotations

# Spec tag -> (attribute path on AsyncClient, generated module).
# Grouped like the API reference and ngrok's official Python client: flat services on the
# client, and the ``backends``, ``edges`` and ``edge_modules`` namespaces.
SERVICES: dict[str, tuple[str, str]] = {
    "AbuseReports": ("abuse_reports", "accounts"),
    "AIGatewayAPIKeys": ("ai_gateway_api_keys", "ai_gateway"),
    "APIKeys": ("api_keys", "accounts"),
    "ApplicationSessions": ("application_sessions", "applications"),
    "ApplicationUsers": ("application_users", "applications"),
    "BotUsers": ("bot_users", "accounts"),
    "ServiceUsers": ("service_users", "accounts_users"),
    "AgentIngresses": ("agent_ingresses", "addresses"),
    "ReservedAddrs": ("reserved_addrs", "addresses"),
    "ReservedDomains": ("reserved_domains", "domains"),
    "CertificateAuthorities": ("certificate_authorities", "certificates"),
    "TLSCertificates": ("tls_certificates", "certificates"),
    "SSHHostCertificates": ("ssh_host_certificates", "certificates_ssh"),
    "Endpoints": ("endpoints", "endpoints"),
    "TunnelSessions": ("tunnel_sessions", "tunnels"),
    "Tunnels": ("tunnels", "tunnels"),
    "EventDestinations": ("event_destinations", "events"),
    "EventSubscriptions": ("event_subscriptions", "event_subscriptions"),
    "EventSources": ("event_sources", "event_sources"),
    "IPPolicies": ("ip_policies", "ip_policies"),
    "IPPolicyRules": ("ip_policy_rules", "ip_policies"),
    "IPRestrictions": ("ip_restrictions", "ip_restrictions"),
    "Secrets": ("secrets", "vaults"),
    "Vaults": ("vaults", "vaults"),
    "FailoverBackends": ("backends.failover", "backends"),
    "HTTPResponseBackends": ("backends.http_response", "backends_http_response"),
    "StaticBackends": ("backends.static_address", "backends_static"),
    "TunnelGroupBackends": ("backends.tunnel_group", "backends_tunnel_group"),
    "WeightedBackends": ("backends.weighted", "backends_weighted"),
    "EdgesHTTPS": ("edges.https", "edges_https"),
    "EdgesHTTPSRoutes": ("edges.https_routes", "edges_https_routes"),
    "EdgesTCP": ("edges.tcp", "edges_tcp"),
    "EdgesTLS": ("edges.tls", "edges_tls"),
    "HTTPSEdgeMutualTLSModule": ("edge_modules.https_edge_mutual_tls", "edge_modules_https"),
    "HTTPSEdgeTLSTerminationModule": (
        "edge_modules.https_edge_tls_termination",
        "edge_modules_https",
    ),
    "EdgeRouteBackendModule": ("edge_modules.https_edge_route_backend", "edge_route_modules"),
    "EdgeRouteIPRestrictionModule": (
        "edge_modules.https_edge_route_ip_restriction",
        "edge_route_modules",
    ),
    "EdgeRouteRequestHeadersModule": (
        "edge_modules.https_edge_route_request_headers",
        "edge_route_modules_headers",
    ),
    "EdgeRouteResponseHeadersModule": (
        "edge_modules.https_edge_route_response_headers",
        "edge_route_modules_headers",
    ),
    "EdgeRouteCompressionModule": (
        "edge_modules.https_edge_route_compression",
        "edge_route_modules",
    ),
    "EdgeRouteCircuitBreakerModule": (
        "edge_modules.https_edge_route_circuit_breaker",
        "edge_route_modules_policy",
    ),
    "EdgeRouteWebhookVerificationModule": (
        "edge_modules.https_edge_route_webhook_verification",
        "edge_route_modules_auth",
    ),
    "EdgeRouteOAuthModule": ("edge_modules.https_edge_route_oauth", "edge_route_modules_auth"),
    "EdgeRouteSAMLModule": ("edge_modules.https_edge_route_saml", "edge_route_modules_saml"),
    "EdgeRouteOIDCModule": ("edge_modules.https_edge_route_oidc", "edge_route_modules_oidc"),
    "EdgeRouteWebsocketTCPConverterModule": (
        "edge_modules.https_edge_route_websocket_tcp_converter",
        "edge_route_modules_policy",
    ),
    "EdgeRouteUserAgentFilterModule": (
        "edge_modules.https_edge_route_user_agent_filter",
        "edge_route_modules_filter",
    ),
    "EdgeRouteTrafficPolicyModule": (
        "edge_modules.https_edge_route_traffic_policy",
        "edge_route_modules_filter",
    ),
    "TCPEdgeBackendModule": ("edge_modules.tcp_edge_backend", "edge_modules_tcp"),
    "TCPEdgeIPRestrictionModule": ("edge_modules.tcp_edge_ip_restriction", "edge_modules_tcp"),
    "TCPEdgeTrafficPolicyModule": (
        "edge_modules.tcp_edge_traffic_policy",
        "edge_modules_traffic_policy",
    ),
    "TLSEdgeBackendModule": ("edge_modules.tls_edge_backend", "edge_modules_tls"),
    "TLSEdgeIPRestrictionModule": ("edge_modules.tls_edge_ip_restriction", "edge_modules_tls"),
    "TLSEdgeMutualTLSModule": (
        "edge_modules.tls_edge_mutual_tls",
        "edge_modules_tls_termination",
    ),
    "TLSEdgeTLSTerminationModule": (
        "edge_modules.tls_edge_tls_termination",
        "edge_modules_tls_termination",
    ),
    "TLSEdgeTrafficPolicyModule": (
        "edge_modules.tls_edge_traffic_policy",
        "edge_modules_traffic_policy",
    ),
}

# Services kept hand-written in resources/credentials.py and resources/ssh.py.
# They validate keys and datetimes locally (OpenSSH public keys parsed with cryptography, aware
# datetimes, validity windows), back bulk issuance (``create_many``) and the SSH helpers, and
# have hand-checked records (e.g. ``SSHUserCertificate.valid_after`` is required). Generating
# them would lose that; the generator skips them and the coverage test still checks their wire.
HAND_WRITTEN: dict[str, str] = {
    "Credentials": "credentials",
    "SSHCredentials": "ssh_credentials",
    "SSHCertificateAuthorities": "ssh_certificate_authorities",
    "SSHUserCertificates": "ssh_user_certificates",
}

# Shared records (used by several families) live in ``_common`` unless listed here.
SHARED_SPLIT = (
    ("EndpointOAuth", "_common_auth"),
    ("EndpointOIDC", "_common_auth"),
    ("EndpointSAML", "_common_auth"),
)
