/** IPv6 extension-header chain walking (RFC 8200), shared by whole and reassembled packets. */

/** Result of `walkIpv6`, reused between packets. */
export interface Ipv6Walk {
  /** Upper-layer protocol (or the header type the walk stopped at). */
  proto: number;
  /** Offset of the upper-layer header, or of the fragment data for WALK_FRAGMENT. */
  off: number;
  /** Fragment header fields (WALK_FRAGMENT only). */
  fragOffset: number;
  fragMore: boolean;
  fragId: number;
  fragNext: number;
  error: string;
}

export const WALK_OK = 0;
export const WALK_FRAGMENT = 1;
/** ESP, "no next header", or mobility: nothing we can read further. */
export const WALK_OPAQUE = 2;
export const WALK_ERROR = 3;

const HOP_BY_HOP = 0;
const ROUTING = 43;
const FRAGMENT = 44;
const ESP = 50;
const AH = 51;
const NO_NEXT = 59;
const DEST_OPTS = 60;
const MOBILITY = 135;

/**
 * Walk extension headers from `off` (first header type `nh`) up to `end`. Atomic
 * fragments (offset 0, no more fragments; RFC 6946) are stepped over like any header.
 */
export function walkIpv6(d: Buffer, off: number, end: number, nh: number, allowFragment: boolean, w: Ipv6Walk): number {
  for (let n = 0; n < 32; n++) {
    switch (nh) {
      case HOP_BY_HOP:
      case ROUTING:
      case DEST_OPTS: {
        if (off + 8 > end) { w.error = `truncated extension header ${nh}`; return WALK_ERROR; }
        const len = (d[off + 1] + 1) * 8;
        if (off + len > end) { w.error = `extension header ${nh} of ${len} bytes exceeds packet`; return WALK_ERROR; }
        nh = d[off];
        off += len;
        break;
      }
      case AH: {
        if (off + 8 > end) { w.error = 'truncated authentication header'; return WALK_ERROR; }
        const len = (d[off + 1] + 2) * 4;
        if (off + len > end) { w.error = `authentication header of ${len} bytes exceeds packet`; return WALK_ERROR; }
        nh = d[off];
        off += len;
        break;
      }
      case FRAGMENT: {
        if (off + 8 > end) { w.error = 'truncated fragment header'; return WALK_ERROR; }
        const fo = (d[off + 2] << 8) | d[off + 3];
        const offset = fo & 0xfff8;
        const more = (fo & 1) !== 0;
        if (offset === 0 && !more) {
          nh = d[off];
          off += 8;
          break;
        }
        if (!allowFragment) { w.error = 'fragment header inside a reassembled packet'; return WALK_ERROR; }
        w.fragOffset = offset;
        w.fragMore = more;
        w.fragId = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
        w.fragNext = d[off];
        w.off = off + 8;
        w.proto = FRAGMENT;
        return WALK_FRAGMENT;
      }
      case ESP:
      case NO_NEXT:
      case MOBILITY:
        w.proto = nh;
        w.off = off;
        return WALK_OPAQUE;
      default:
        w.proto = nh;
        w.off = off;
        return WALK_OK;
    }
  }
  w.error = 'too many extension headers';
  return WALK_ERROR;
}
