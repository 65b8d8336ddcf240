import { ROUTES } from './routes.tsx';
import { hrefFor } from '../lib/router.tsx';

/** The left navigation: one link per view, the current one marked for screen readers. */
export function SideNav({ current, importing }: { current: string; importing: boolean }) {
  return (
    <nav className="side-nav" aria-label="Views">
      <ul>
        {ROUTES.map((route) => (
          <li key={route.id}>
            <a
              href={hrefFor(route.id)}
              className="side-nav-link"
              aria-current={route.id === current ? 'page' : undefined}
              title={route.hint}
              data-testid={`nav-${route.id}`}
            >
              <span className={`side-nav-icon side-nav-icon--${route.id}`} aria-hidden="true" />
              <span>{route.label}</span>
              {route.id === 'import' && importing && <span className="side-nav-dot" aria-label="import running" />}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
