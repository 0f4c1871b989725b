/**
 * Every diagnose finding as data (DESIGN.md "Diagnose: finding ids"): its stable id, default
 * severity, a title, why it matters and how to fix it, naming the Postfix, Dovecot and Exim
 * settings. Rules pick an entry and add what was seen; docs/diagnose.md explains each id and a
 * test keeps the two in step.
 */
import type { Severity } from '../report-types.js';

export interface CatalogueEntry {
  readonly severity: Severity;
  readonly title: string;
  readonly why: string;
  readonly fix: string;
}

const TLS_FILES =
  'Postfix: smtpd_tls_chain_files (key, leaf, intermediates in one file); Dovecot: ssl_cert = </path/fullchain.pem and ssl_key; Exim: tls_certificate and tls_privatekey';
const RELOAD = 'then reload every service that uses it (postfix reload, doveadm reload, restart Exim)';

export const CATALOGUE = {
  'port.closed': {
    severity: 'info',
    title: 'Port closed',
    why: 'Nothing listens here (the connection was refused): clients configured for this port cannot reach the service.',
    fix: 'If the service should be here, enable the listener: Postfix master.cf (smtp/submission/submissions inet lines), Dovecot inet_listener in service imap-login/pop3-login, Exim daemon_smtp_ports; otherwise leave the port out (--ports).',
  },
  'port.timeout': {
    severity: 'info',
    title: 'No TCP answer (filtered)',
    why: 'The connection attempt got no answer at all: a firewall drops the packets, so clients hang until their own timeout.',
    fix: 'Allow the port in the host firewall and any network firewall or security group; many ISPs block outbound port 25 from home networks, so probe from another network before changing the server.',
  },
  'port.silent': {
    severity: 'high',
    title: 'Connects, but no greeting',
    why: 'The port accepts TCP connections but neither greets in plaintext nor answers a TLS ClientHello: every client waits until its own timeout.',
    fix: 'Check what listens (ss -ltnp): a proxy or load balancer without a healthy backend, a hung daemon, or a tarpit longer than --timeout (Postfix postscreen_greet_wait, Exim smtp_banner delays); the server log says which.',
  },
  'port.closed-after-greeting': {
    severity: 'high',
    title: 'Closes right after the greeting',
    why: 'The server greets and hangs up before the client can say anything: no client can complete a session.',
    fix: 'Read the server log for the reason: Postfix smtpd_client_restrictions or postscreen dropping the client, a process limit (default_process_limit, smtpd_client_connection_count_limit); Dovecot login process limits; Exim acl_smtp_connect.',
  },
  'port.closed-after-command': {
    severity: 'high',
    title: 'Drops the connection on the first command',
    why: 'The server greets but hangs up (or stops answering) when the client sends EHLO, CAPABILITY or CAPA: clients fail before they can authenticate or send.',
    fix: 'Read the server log: a crashing smtpd/imap-login (missing TLS file, bad SASL path such as Postfix smtpd_sasl_path), a restriction that disconnects (Postfix smtpd_helo_restrictions, Exim acl_smtp_helo), or a middlebox that filters the protocol.',
  },
  'port.malformed-reply': {
    severity: 'high',
    title: "The server's reply broke the protocol",
    why: 'A reply was not valid SMTP, IMAP or POP3 (no reply code or an impossible one such as 999, NUL or 8-bit garbage) or broke a size limit (a line over 1 MiB, an SMTP reply over 10 000 lines, an IMAP literal over 64 MiB), so mailprobe hung up: real clients fail the same way, or wait for a reply that never ends.',
    fix: 'Find what rewrites or produces the session: a proxy, firewall or SMTP/IMAP inspection (an ALG such as an ESMTP fixup) in the path, a non-mail service or a broken backend behind a port forward or load balancer, a banner or milter/policy service sending raw bytes (Postfix smtpd_banner, smtpd_milters, check_policy_service; Dovecot login_greeting; Exim smtp_banner, local_scan). Compare a session captured with nc or openssl s_client from inside the network with the server log.',
  },
  'port.service-unavailable': {
    severity: 'high',
    title: 'Service refuses connections',
    why: 'The greeting is a refusal (SMTP 421/554, IMAP * BYE, POP3 -ERR): the service exists but does not serve this client.',
    fix: 'Postfix: smtpd_client_restrictions, postscreen_access_list, process limits; Dovecot: login_trusted_networks, process_limit/client_limit of imap-login and pop3-login, mail_max_userip_connections; Exim: smtp_accept_max, smtp_accept_max_per_host, acl_smtp_connect.',
  },
  'port.wrong-protocol': {
    severity: 'high',
    title: 'Another protocol answers on this port',
    why: 'The port speaks something else than it is for (say, IMAP on an SMTP port): clients fail with confusing protocol errors.',
    fix: 'Fix the port numbers of the listeners: Postfix master.cf service lines, Dovecot inet_listener port settings, Exim daemon_smtp_ports; check port forwards and load-balancer mappings.',
  },
  'port.plaintext-on-implicit-tls-port': {
    severity: 'high',
    title: 'Plaintext on an implicit-TLS port',
    why: 'RFC 8314 §3.3 and §3.4: 465, 993 and 995 start TLS right after connecting; this port greets in plaintext, so clients fail with "wrong version number" and nothing on it is encrypted.',
    fix: 'Postfix: -o smtpd_tls_wrappermode=yes on the submissions (465) service in master.cf; Dovecot: ssl = yes inside inet_listener imaps/pop3s; Exim: tls_on_connect_ports = 465.',
  },
  'port.tls-on-plaintext-port': {
    severity: 'high',
    title: 'TLS handshake expected on a STARTTLS port',
    why: 'Ports 25, 587, 143 and 110 greet in plaintext and upgrade with STARTTLS/STLS (RFC 3207, RFC 2595, RFC 6409); this one waits for a TLS ClientHello, so clients that expect a greeting hang (the classic "wrong version number" seen from the other side).',
    fix: 'Postfix: remove -o smtpd_tls_wrappermode=yes from this service and use smtpd_tls_security_level = may (25) or encrypt (587); Dovecot: no ssl = yes in the imap/pop3 inet_listener; Exim: drop the port from tls_on_connect_ports.',
  },
  'port.rate-limited': {
    severity: 'info',
    title: 'Rate limited or delayed: results incomplete',
    why: 'The server throttled the probe (421 "too many connections", a greeting delay past --timeout, a tarpit): what could not be probed is inconclusive, not failed.',
    fix: 'Run again later, from an address the server does not throttle, or with a larger --timeout; limits: Postfix anvil (smtpd_client_connection_rate_limit, smtpd_client_connection_count_limit), postscreen_greet_wait; Dovecot mail_max_userip_connections; Exim smtp_accept_max_per_host, smtp_ratelimit_*.',
  },
  'starttls.not-offered': {
    severity: 'high',
    title: 'STARTTLS not offered',
    why: 'The plaintext service does not offer STARTTLS/STLS (RFC 3207, RFC 2595): everything, passwords and mail included, crosses the network in cleartext.',
    fix: 'Postfix: smtpd_tls_security_level = may (25) or encrypt (587) with smtpd_tls_chain_files; Dovecot: ssl = yes (or required) with ssl_cert/ssl_key; Exim: tls_advertise_hosts = * with tls_certificate/tls_privatekey.',
  },
  'starttls.failed': {
    severity: 'high',
    title: 'STARTTLS fails',
    why: 'STARTTLS is offered but refused or the handshake fails: clients that require TLS cannot connect, opportunistic ones fall back to cleartext.',
    fix: `Check the TLS files and settings and the server log for the handshake error: ${TLS_FILES}; protocol and cipher settings (smtpd_tls_protocols, ssl_min_protocol, tls_require_ciphers).`,
  },
  'starttls.readvertised-after-tls': {
    severity: 'low',
    title: 'STARTTLS offered again inside TLS',
    why: 'RFC 3207 §4.2: a server MUST NOT offer STARTTLS after the TLS handshake (likewise RFC 2595 for IMAP/POP3); it suggests capabilities that are not re-computed after the upgrade.',
    fix: 'Upgrade the server, or the proxy in front of it that rewrites capabilities; Postfix, Dovecot and Exim do not do this on their own.',
  },
  'starttls.command-injection': {
    severity: 'critical',
    title: 'Plaintext commands are executed inside TLS',
    why: 'A command sent in the same packet as STARTTLS was answered inside TLS (or plaintext followed the go-ahead): an attacker on the path can inject commands into the encrypted session (CVE-2011-0411 class, RFC 3207 §4.2).',
    fix: 'Upgrade the server or the TLS proxy: the server must discard input buffered before the handshake (Postfix ≥ 2.8.4, current Dovecot and Exim do).',
  },
  'tls.handshake-failed': {
    severity: 'high',
    title: 'TLS handshake fails',
    why: 'The port speaks TLS but no handshake with any protocol version completed: no client can use the service.',
    fix: `Read the server log for the TLS error; check the certificate and key files (${TLS_FILES}), client-certificate requirements and the protocol/cipher settings.`,
  },
  'tls.cert.expired': {
    severity: 'critical',
    title: 'Certificate expired',
    why: 'RFC 5280 §4.1.2.5: a certificate past notAfter is invalid; verifying clients refuse the connection.',
    fix: `Renew the certificate (certbot renew, your CA) and install it (${TLS_FILES}), ${RELOAD}.`,
  },
  'tls.cert.not-yet-valid': {
    severity: 'high',
    title: 'Certificate not yet valid',
    why: 'RFC 5280 §4.1.2.5: before notBefore the certificate is invalid; verifying clients refuse it.',
    fix: 'Check the clocks (NTP) of the server and the CA, or install the certificate only once it is valid.',
  },
  'tls.cert.expiring-soon': {
    severity: 'medium',
    title: 'Certificate expires soon',
    why: 'The certificate expires within 21 days: automated renewal (which normally renews 30 days ahead) is not working or not reaching this service.',
    fix: `Check the renewal job and that its hook installs the new certificate here (${TLS_FILES}), ${RELOAD}.`,
  },
  'tls.cert.hostname-mismatch': {
    severity: 'high',
    title: 'Certificate does not match the host name',
    why: 'RFC 6125 / RFC 9525: clients check the name they connect to against the subjectAltName; a mismatch fails verification (and MTA-STS/DANE delivery).',
    fix: 'Get a certificate whose subjectAltName includes the name clients use (MX host, submission host); per-name certificates: Postfix tls_server_sni_maps, Dovecot local_name { ssl_cert }, Exim tls_certificate expanded on $tls_in_sni. Use --servername to check another name.',
  },
  'tls.cert.self-signed': {
    severity: 'high',
    title: 'Self-signed certificate',
    why: 'The certificate signs itself: no client can tell it from an attacker\'s, so verifying clients refuse it.',
    fix: `Use a certificate from a public CA (for example Let's Encrypt) (${TLS_FILES}); if every client trusts this certificate on purpose, pass it with --ca.`,
  },
  'tls.cert.untrusted': {
    severity: 'high',
    title: 'Certificate chain not trusted',
    why: 'The chain does not end at a trusted root (RFC 5280 §6): verifying clients refuse it.',
    fix: `Serve a certificate from a CA clients trust, with its intermediates (${TLS_FILES}); for a private CA your clients trust, pass its root with --ca.`,
  },
  'tls.chain.incomplete': {
    severity: 'high',
    title: 'Intermediate certificate missing',
    why: 'The server does not send the certificate that issued its own (RFC 8446 §4.4.2, RFC 5246 §7.4.2: the chain up to, but not including, the root); clients that do not already hold that intermediate fail to verify.',
    fix: `Serve the leaf followed by the intermediate(s): ${TLS_FILES}; with certbot use fullchain.pem, not cert.pem; ${RELOAD}.`,
  },
  'tls.cert.weak-key': {
    severity: 'high',
    title: 'Weak certificate key',
    why: 'RSA keys under 2048 bits (or elliptic curves under 224 bits) are breakable and refused by current clients (OpenSSL security level 2, CA/Browser Forum).',
    fix: `Issue a new certificate with an RSA 2048+ or ECDSA P-256 key and install it (${TLS_FILES}).`,
  },
  'tls.cert.weak-signature': {
    severity: 'high',
    title: 'Weak certificate signature (SHA-1/MD5)',
    why: 'SHA-1 and MD5 signatures can be forged (RFC 9155, SHAttered); current clients reject such leaf and intermediate certificates.',
    fix: `Have the certificate (and any SHA-1 intermediate) reissued with SHA-256 and install it (${TLS_FILES}).`,
  },
  'tls.version.legacy': {
    severity: 'low',
    title: 'TLS 1.0 or 1.1 accepted',
    why: 'RFC 8996: servers MUST NOT negotiate TLS 1.0 or 1.1 (weak MAC and key derivation, CBC attacks); current clients refuse them and TLS 1.3 downgrade protection shields those, so the exposure is for old clients only.',
    fix: 'Postfix: smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2; Dovecot: ssl_min_protocol = TLSv1.2; Exim: openssl_options = +no_tlsv1 +no_tlsv1_1 (or tls_require_ciphers with GnuTLS).',
  },
  'tls.version.no-tls12': {
    severity: 'high',
    title: 'TLS 1.2 not accepted',
    why: 'RFC 9325 §3.1.1: TLS 1.2 must be supported; without it clients limited to TLS 1.2 (and, if TLS 1.3 is missing too, every current client) cannot connect.',
    fix: 'Allow TLS 1.2 and 1.3: Postfix smtpd_tls_protocols = >=TLSv1.2; Dovecot ssl_min_protocol = TLSv1.2 (and no ssl_max_protocol below it); Exim openssl_options; upgrade OpenSSL/GnuTLS if the server cannot.',
  },
  'tls.cert.differs-between-ports': {
    severity: 'info',
    title: 'Ports serve different certificates',
    why: 'Services of one host present different certificates: fine when intended, but an older one on some port usually means a service was not reloaded after renewal.',
    fix: `Deploy the renewed certificate to every service (${TLS_FILES}) and let the renewal hook reload them all.`,
  },
  'auth.plaintext-before-tls': {
    severity: 'high',
    title: 'Password login offered before TLS',
    why: 'Cleartext login is offered on the unencrypted connection (RFC 3207 §6, RFC 3501 §6.2.3 LOGINDISABLED, RFC 2595 §2.2): a client, or an attacker who strips STARTTLS, sends the password in cleartext.',
    fix: 'Postfix: smtpd_tls_auth_only = yes; Dovecot: disable_plaintext_auth = yes (2.4: auth_allow_cleartext = no); Exim: server_advertise_condition = ${if def:tls_in_cipher} on the PLAIN/LOGIN authenticators.',
  },
  'auth.plaintext-accepted': {
    severity: 'critical',
    title: 'Cleartext login accepted',
    why: 'With the credentials you gave, a login over the unencrypted connection succeeded: passwords cross the network readable by anyone on the path.',
    fix: 'Postfix: smtpd_tls_auth_only = yes; Dovecot: disable_plaintext_auth = yes (2.4: auth_allow_cleartext = no); Exim: server_advertise_condition = ${if def:tls_in_cipher}. Change the password used for this test if it crossed an untrusted network.',
  },
  'auth.not-offered': {
    severity: 'medium',
    title: 'No authentication on a submission port',
    why: 'RFC 6409 §4.3 / RFC 8314: submission is for authenticated users; this port offers no AUTH even inside TLS, so mail clients cannot log in.',
    fix: 'Postfix: -o smtpd_sasl_auth_enable=yes on the submission/submissions services with smtpd_sasl_type and smtpd_sasl_path (Dovecot: service auth { unix_listener … }); Exim: define PLAIN/LOGIN authenticators.',
  },
  'auth.preauth-greeting': {
    severity: 'high',
    title: 'IMAP pre-authenticated greeting',
    why: 'RFC 9051 §7.1.4: a PREAUTH greeting means the connection is already logged in; on a network port anyone who connects gets a mailbox.',
    fix: 'Only pre-authenticate local or tunnelled sessions (imapd over ssh/stdio); on network listeners require a login (Dovecot: no nopassword passdb for network clients, check login_trusted_networks).',
  },
  'dns.no-mx': {
    severity: 'high',
    title: 'No MX record',
    why: 'RFC 5321 §5.1: senders deliver to the hosts the MX records name; without MX records they fall back to the domain\'s own A/AAAA (the implicit MX), and without those either, mail to the domain bounces.',
    fix: 'Publish MX records naming your mail servers (example.org. MX 10 mail.example.org.), each with A/AAAA records, and have the server accept the domain (Postfix mydestination or virtual_mailbox_domains, Exim local_domains); a domain that takes no mail publishes a null MX instead (MX 0 ., RFC 7505).',
  },
  'dns.mx-no-address': {
    severity: 'high',
    title: 'MX host has no address',
    why: 'RFC 5321 §5.1: senders deliver to the A/AAAA addresses of the MX host; an MX naming a host without addresses (or an address literal, which is not a host name) cannot receive mail, and senders defer or bounce.',
    fix: 'Add A and/or AAAA records for the MX host, or point the MX at a host that has them (an MX names a host, never an address or a CNAME, RFC 2181 §10.3); Postfix logs such an MX as "Host or domain name not found".',
  },
  'dns.address-unreachable': {
    severity: 'medium',
    title: 'An address of an MX does not answer',
    why: 'Senders try the addresses of an MX one after another: one that refuses or drops connections delays mail (a silent one costs each sender its connect timeout, Postfix smtp_connect_timeout is 30 s), and senders with only that address family (IPv6-only or IPv4-only) cannot deliver at all.',
    fix: 'Make the mail server listen on that address too (Postfix inet_interfaces = all and inet_protocols = all; Exim local_interfaces) and open it in the firewall (ip6tables/nftables for IPv6), or remove the A/AAAA record that points at it.',
  },
  'dns.lookup-failed': {
    severity: 'medium',
    title: 'DNS lookup failed',
    why: 'The resolver gave no answer (timeout, SERVFAIL, REFUSED): senders treat that as a temporary error and defer mail, and whatever depends on the record could not be checked.',
    fix: 'Check the zone\'s authoritative servers (dig +trace, dig @NS NAME TYPE) and its DNSSEC signatures: SERVFAIL from a validating resolver often means expired RRSIGs or a DS mismatch (Postfix then defers with "Name service error"); or give a working resolver with --resolver.',
  },
  'mta-sts.record-missing': {
    severity: 'low',
    title: 'No MTA-STS record',
    why: 'Without MTA-STS (RFC 8461) senders encrypt opportunistically and accept any certificate, so an attacker on the path can strip STARTTLS or intercept the connection to the MX unnoticed (DANE is the other defence).',
    fix: 'Serve a policy at https://mta-sts.DOMAIN/.well-known/mta-sts.txt (version: STSv1, mode: testing, mx: your MX hosts, max_age: 604800), publish _mta-sts.DOMAIN TXT "v=STSv1; id=20240101T000000" and a TLS-RPT record; every MX needs a certificate valid for its name (Postfix smtpd_tls_chain_files, Exim tls_certificate). Move to mode: enforce once the reports are clean.',
  },
  'mta-sts.record-invalid': {
    severity: 'high',
    title: 'MTA-STS record invalid',
    why: 'RFC 8461 §3.1: senders ignore _mta-sts TXT records unless exactly one begins with "v=STSv1;" and it is well-formed with an id; then they never fetch the policy, and the protection you meant to deploy is not there.',
    fix: 'Publish exactly one TXT record at _mta-sts.DOMAIN of the form "v=STSv1; id=20240101T000000" (id: 1 to 32 letters and digits, changed whenever the policy changes); remove duplicates left from earlier edits.',
  },
  'mta-sts.policy-fetch-error': {
    severity: 'high',
    title: 'MTA-STS policy cannot be fetched',
    why: 'RFC 8461 §3.3: the policy must come from https://mta-sts.DOMAIN/.well-known/mta-sts.txt with a certificate valid for that name, status 200, Content-Type text/plain, no redirect, within a size limit; otherwise senders without a cached policy deliver as if there were none, and senders with one keep using the old one (what their TLS reports call sts-policy-fetch-error).',
    fix: 'Serve the file directly on mta-sts.DOMAIN (a DNS name of its own, with A/AAAA records and a certificate naming it) as text/plain, without redirecting: nginx "location = /.well-known/mta-sts.txt { default_type text/plain; }", Apache "ForceType text/plain"; keep it small (a few hundred bytes).',
  },
  'mta-sts.policy-invalid': {
    severity: 'high',
    title: 'MTA-STS policy invalid',
    why: 'RFC 8461 §3.2: a policy needs version: STSv1, mode: enforce, testing or none, max_age in seconds (at most 31557600) and, unless the mode is none, mx lines; senders reject an invalid policy (sts-policy-invalid in their TLS reports) and deliver as if there were none.',
    fix: 'Write one "name: value" per line: version: STSv1, mode: testing (then enforce), max_age: 604800 (a week or more), and one mx: line per MX host or *.domain pattern; change the id in the _mta-sts TXT record after every edit so senders fetch it again.',
  },
  'mta-sts.mx-mismatch': {
    severity: 'critical',
    title: 'MX not covered by the MTA-STS policy',
    why: 'RFC 8461 §4.1: senders applying the policy only deliver to MX hosts that match one of its mx patterns (a *. wildcard covers exactly one label); in enforce mode mail to an unlisted MX is not delivered (mx-mismatch in TLS reports), in testing mode it is only reported.',
    fix: 'Add an mx: line for every MX host (or a *.domain pattern that covers it) to the policy, or fix the MX record; then change the id in the _mta-sts TXT record so senders refetch the policy. Postfix and Exim themselves need no change.',
  },
  'mta-sts.cert-invalid': {
    severity: 'critical',
    title: 'MX certificate fails MTA-STS validation',
    why: 'RFC 8461 §4.2: senders applying the policy require STARTTLS on port 25 with a certificate that chains to a trusted root, is within its dates and names the MX host; in enforce mode they do not deliver to an MX that fails this (sts-webpki-invalid in TLS reports), in testing mode they only report it.',
    fix: 'Install a certificate from a public CA whose subjectAltName includes the MX host name, with its intermediates (Postfix smtpd_tls_chain_files and smtpd_tls_security_level = may; Exim tls_certificate and tls_advertise_hosts = *); until every MX passes, keep the policy in mode: testing.',
  },
  'tls-rpt.record-missing': {
    severity: 'low',
    title: 'No TLS-RPT record',
    why: 'Without a _smtp._tls TXT record (RFC 8460) senders have nowhere to report TLS failures, so an MTA-STS or DANE problem that stops delivery goes unnoticed until someone complains.',
    fix: 'Publish _smtp._tls.DOMAIN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@DOMAIN" (or an https: endpoint) and read the daily JSON reports; a separate mailbox or a report service keeps them out of the way.',
  },
  'tls-rpt.record-invalid': {
    severity: 'medium',
    title: 'TLS-RPT record invalid',
    why: 'RFC 8460 §3: senders use the _smtp._tls TXT record only if exactly one begins with "v=TLSRPTv1;" and it has a rua field of mailto: or https: URIs; otherwise no TLS failure reports are sent.',
    fix: 'Publish exactly one record such as "v=TLSRPTv1; rua=mailto:tlsrpt@example.org" (several destinations separated by commas) and remove duplicates.',
  },
  'dane.tlsa-mismatch': {
    severity: 'high',
    title: 'TLSA records do not match the MX certificate',
    why: 'RFC 7672: senders that validate DANE (Postfix with smtp_tls_security_level = dane, Exim, Microsoft 365) deliver only if the certificate chain the MX presents matches one of its TLSA records; with DNSSEC-signed records that do not match, they defer the mail until the records or the certificate are fixed.',
    fix: 'Publish TLSA records for the key actually served (3 1 1 = SHA-256 of the leaf\'s public key: openssl x509 -in cert.pem -noout -pubkey | openssl pkey -pubin -outform DER | openssl sha256), or serve the certificate they name (Postfix smtpd_tls_chain_files, Exim tls_certificate); when renewing, publish the next key\'s record before switching, and keep the key on renewal (certbot --reuse-key).',
  },
  'dane.tlsa-unusable': {
    severity: 'low',
    title: 'TLSA records unusable for SMTP',
    why: 'RFC 7672 §3.1.3: SMTP clients use only DANE-TA(2) and DANE-EE(3) records with known selectors and matching types; with none usable they fall back to unauthenticated TLS, so the records protect nothing.',
    fix: 'Replace them with 3 1 1 (DANE-EE, SPKI, SHA-256) records for the MX key, or 2 1 1 for the issuing CA (which the server must then send in its chain: Postfix smtpd_tls_chain_files, Exim tls_certificate).',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type FindingId = keyof typeof CATALOGUE;

export const FINDING_IDS = Object.keys(CATALOGUE) as FindingId[];
