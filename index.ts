/**
 * mailprobe as a library: the wire drivers for SMTP, IMAP and POP3 (see README "Library").
 */
export * from './drivers/index.js';
