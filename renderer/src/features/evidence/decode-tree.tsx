import { useState } from 'react';
import type { ReactNode } from 'react';
import type { DecodeTree, DecodeTreeNode, Highlight } from '../../../../shared/model.ts';
import { formatBytes } from '../../lib/format.ts';

/**
 * A payload's decode chain as a tree: each level is one thing the engine read it as
 * (form fields, base64, gzip, JSON …). Values found to leak are marked, and the
 * branches that hold them start open.
 */
export function DecodeTreeView({ tree, highlights, label }: { tree: DecodeTree; highlights: Highlight[]; label: string }) {
  return (
    <div className="decode-tree" data-testid="decode-tree">
      <ul role="tree" aria-label={label} className="tree">
        <TreeNode node={tree.root} highlights={highlights} depth={0} />
      </ul>
      {tree.anomalies.length > 0 && (
        <ul className="decode-anomalies">
          {tree.anomalies.map((a, i) => (
            <li key={i} className="muted small">
              Decoding stopped at <code>{a.chain === '' ? 'the payload' : a.chain}</code>: {a.error}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function holdsHighlight(node: DecodeTreeNode, highlights: Highlight[]): boolean {
  if (highlights.some((h) => h.chain === node.path || (node.value !== undefined && node.value.includes(h.value)))) return true;
  return node.children.some((c) => holdsHighlight(c, highlights));
}

const FOLD_AT = 96;

const KIND_WORDS: Record<DecodeTreeNode['kind'], string> = {
  text: 'text',
  json: 'JSON',
  form: 'form fields',
  multipart: 'multipart',
  protobuf: 'protobuf',
  binary: 'binary',
};

function TreeNode({ node, highlights, depth }: { node: DecodeTreeNode; highlights: Highlight[]; depth: number }) {
  const hasChildren = node.children.length > 0;
  const marked = holdsHighlight(node, highlights);
  const [open, setOpen] = useState(depth < 2 || marked);
  const own = highlights.filter((h) => h.chain === node.path || (node.value !== undefined && node.value.includes(h.value)));
  const lastStep = node.steps.length > 0 ? node.steps[node.steps.length - 1] : null;
  // An encoded value that is decoded below it (a base64 blob) is folded: its meaning is
  // in the children, and the whole text would push them out of sight.
  const [showWhole, setShowWhole] = useState(false);
  const folded = !showWhole && hasChildren && own.length === 0 && node.value !== undefined && node.value.length > FOLD_AT * 1.5;

  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined} aria-level={depth + 1} className={`tree-node${own.length > 0 ? ' tree-node--leak' : ''}`} data-path={node.path}>
      <div className="tree-line">
        {hasChildren ? (
          <button type="button" className="tree-toggle" onClick={() => setOpen(!open)} aria-label={open ? 'Collapse' : 'Expand'}>
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="tree-toggle tree-toggle--leaf" aria-hidden="true" />
        )}
        {node.key !== null && <span className="tree-key">{node.key}</span>}
        {depth === 0 && node.key === null && <span className="tree-key">payload</span>}
        {lastStep !== null && node.encoded === true && <span className="tree-step">{lastStep}</span>}
        <span className="tree-kind">{KIND_WORDS[node.kind]}</span>
        {node.size !== undefined && <span className="muted small num">{formatBytes(node.size)}</span>}
        {node.value !== undefined && (
          <span className="tree-value">
            {folded ? (
              <>
                {node.value.slice(0, FOLD_AT)}
                <button type="button" className="tree-more" onClick={() => setShowWhole(true)}>
                  … {node.value.length.toLocaleString('en-US')} characters, decoded below — show all
                </button>
              </>
            ) : (
              <Marked text={node.value} highlights={own} />
            )}
            {node.truncated === true && <span className="muted"> … (cut)</span>}
          </span>
        )}
        {own.map((h) => (
          <span key={`${h.chain}:${h.value}`} className="leak-label" data-testid="leak-label">
            {h.label}
          </span>
        ))}
      </div>
      {hasChildren && open && (
        <ul role="group" className="tree">
          {node.children.map((child, i) => (
            <TreeNode key={`${child.path}:${child.key ?? ''}:${i}`} node={child} highlights={highlights} depth={depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The text with every highlighted value wrapped in <mark>. */
export function Marked({ text, highlights }: { text: string; highlights: Array<{ value: string }> }) {
  const values = highlights.map((h) => h.value).filter((v) => v.length > 0);
  if (values.length === 0) return <>{text}</>;
  const parts: ReactNode[] = [];
  let at = 0;
  while (at < text.length) {
    let best = -1;
    let bestValue = '';
    for (const v of values) {
      const i = text.indexOf(v, at);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        bestValue = v;
      }
    }
    if (best < 0) break;
    if (best > at) parts.push(text.slice(at, best));
    parts.push(
      <mark key={best} className="leak-mark" data-testid="leak-mark">
        {bestValue}
      </mark>,
    );
    at = best + bestValue.length;
  }
  if (at < text.length) parts.push(text.slice(at));
  return <>{parts}</>;
}
