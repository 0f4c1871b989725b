import type { Protocol } from '../../drivers/target.js';
import { openImap } from './open-imap.js';
import { openPop3 } from './open-pop3.js';
import { openSmtp } from './open-smtp.js';
import { probeImap } from './probe-imap.js';
import { probePop3 } from './probe-pop3.js';
import { probeSmtp } from './probe-smtp.js';
import type { Prober } from './probe.js';
import type { Opener } from './run-check.js';

/** What the runner needs per protocol: a probe and a start-state opener. */
export interface ProtocolRunner {
  readonly probe: Prober;
  readonly open: Opener;
}

export const PROTOCOL_RUNNERS: Readonly<Record<Protocol, ProtocolRunner>> = {
  smtp: { probe: probeSmtp, open: openSmtp },
  imap: { probe: probeImap, open: openImap },
  pop3: { probe: probePop3, open: openPop3 },
};
