/** Importing this module registers every application protocol. Adding a protocol = one file + one line here. */
import './dns.ts';
import './dhcp.ts';
import './nbns.ts';
import './http1.ts';
import './tls.ts';
import './quic.ts';
