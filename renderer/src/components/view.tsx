import type { ReactNode } from 'react';

/**
 * The frame of every view: a heading (the page's h2, where the skip link lands),
 * an optional one-line description, actions on the right, then the content.
 */
export function View({
  title,
  description,
  actions,
  testId,
  children,
  wide,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
  testId: string;
  children: ReactNode;
  /** Content that needs the whole height (tables with a detail pane). */
  wide?: boolean;
}) {
  return (
    <section className={`view${wide === true ? ' view--fill' : ''}`} data-testid={testId} aria-labelledby={`${testId}-title`}>
      <header className="view-header">
        <div>
          <h2 className="view-title" id={`${testId}-title`} tabIndex={-1}>
            {title}
          </h2>
          {description !== undefined && <p className="view-description">{description}</p>}
        </div>
        {actions !== undefined && <div className="view-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A titled block inside a view. */
export function Panel({ title, children, testId, actions, className }: { title: string; children: ReactNode; testId?: string; actions?: ReactNode; className?: string }) {
  return (
    <section className={`panel${className === undefined ? '' : ` ${className}`}`} data-testid={testId}>
      <header className="panel-header">
        <h3 className="panel-title">{title}</h3>
        {actions}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}
