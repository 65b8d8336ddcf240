import type { EntityKind, EntityLinkRow } from '../../../../shared/model.ts';
import { EmptyState, QueryBoundary } from '../../components/states.tsx';
import { UtcTime } from '../../components/utc-time.tsx';
import { useApiQuery } from '../../lib/api-context.tsx';
import { formatCount } from '../../lib/format.ts';
import { evidenceHref } from '../../lib/router.tsx';

export interface EntitySummary {
  entity: EntityKind;
  id: number;
}

const LINK_LIMIT = 500;

const WORDS: Record<EntityKind, string> = { device: 'device', account: 'account', identifier: 'identifier' };

/** The requests that tie one device, account or identifier to the traffic, each opening its evidence. */
export function LinksPane({ entity, id, onClose }: EntitySummary & { onClose(): void }) {
  const query = useApiQuery('entities.links', { entity, id, limit: LINK_LIMIT });
  // For an identifier, every link carries it: name it once in the heading, not per row.
  const first = query.state.status === 'ready' ? query.state.data.rows[0] : undefined;
  const subject = first?.identifier?.value ?? null;
  return (
    <aside className="detail-pane" data-testid="entity-links" aria-label={`Requests linking this ${WORDS[entity]}`}>
      <div className="detail-close">
        <button type="button" className="button button--quiet button--small" onClick={onClose}>
          Close
        </button>
      </div>
      <h3 className="detail-title">
        Requests that link this {WORDS[entity]}
        {entity === 'identifier' && subject !== null && (
          <>
            {' '}
            <code className="break">{subject}</code>
          </>
        )}
      </h3>
      <QueryBoundary
        query={query}
        what="linking requests"
        compact
        isEmpty={(p) => p.rows.length === 0}
        empty={<EmptyState title="No linking requests recorded" compact />}
      >
        {(page) => (
          <>
            <p className="muted small num">
              {formatCount(page.total)} {page.total === 1 ? 'request' : 'requests'}
              {page.total > page.rows.length && `, the first ${formatCount(page.rows.length)} shown`}
            </p>
            <ol className="link-list">
              {page.rows.map((r) => (
                <LinkItem key={`${r.httpId}:${r.identifier?.id ?? ''}:${r.chain ?? ''}`} row={r} showIdentifier={entity !== 'identifier'} />
              ))}
            </ol>
          </>
        )}
      </QueryBoundary>
    </aside>
  );
}

function LinkItem({ row, showIdentifier }: { row: EntityLinkRow; showIdentifier: boolean }) {
  return (
    <li className="link-item" data-testid="entity-link">
      <a href={evidenceHref('http', row.httpId)} className="link-request break">
        {row.method} {row.host ?? ''}
        {row.uri}
      </a>
      <span className="small">
        <UtcTime iso={row.ts} />
        {row.frame !== null && <span className="muted"> · frame {formatCount(row.frame)}</span>}
        {row.entry !== null && <span className="muted"> · HAR entry {row.entry}</span>}
        {row.mode !== null && <span className={`badge badge--${row.mode}`}>{row.mode}</span>}
      </span>
      {row.identifier !== null && (
        <span className="small">
          {showIdentifier && (
            <>
              <span className="badge">{row.identifier.type}</span> <code className="break">{row.identifier.value}</code>{' '}
            </>
          )}
          {row.location !== null && (
            <span className="muted">
              {showIdentifier ? 'in' : 'In'} the {row.location}
              {row.key !== null && ` field “${row.key}”`}
              {row.chain !== null && row.chain !== '' && ` (${row.chain})`}
            </span>
          )}
        </span>
      )}
    </li>
  );
}
