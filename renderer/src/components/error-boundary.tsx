import { Component } from 'react';
import type { ErrorInfo, ReactNode } from 'react';

interface Props {
  /** Changing it clears a caught error (e.g. the route, so leaving a broken view heals). */
  resetKey: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
  key: string;
}

/** Keeps a view that throws while rendering from blanking the whole window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, key: '' };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.key) return { key: props.resetKey, error: null };
    return null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('view failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.error === null) return this.props.children;
    return (
      <div className="state state--error" role="alert" data-testid="state-crashed">
        <span className="state-icon" aria-hidden="true" />
        <p className="state-title">This view stopped working</p>
        <div className="state-body">
          <p className="state-error-message">{this.state.error.message}</p>
          <p>The case is not affected. Choose another view, or reload the window.</p>
        </div>
      </div>
    );
  }
}
