import type { Child } from 'hono/jsx';

export type Section = 'calls' | 'live' | 'assistants' | 'numbers' | 'health' | null;

export interface LayoutProps {
  title: string;
  base: string;
  csrf?: string;
  section?: Section;
  /** Extra classic scripts (a library's UMD build) loaded before the console's modules. */
  scripts?: string[];
  children?: Child;
}

const NAV: Array<[Section, string, string]> = [
  ['calls', 'calls', 'Calls'],
  ['live', 'live', 'Live'],
  ['assistants', 'assistants', 'Assistants'],
  ['numbers', 'numbers', 'Numbers'],
  ['health', 'health', 'Health & analytics'],
];

export function Layout({ title, base, csrf, section = null, scripts = [], children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · PhoneVoice`}</title>
        <meta name="pv-base" content={base} />
        {csrf ? <meta name="pv-csrf" content={csrf} /> : null}
        <link rel="icon" href={`${base}/assets/favicon.svg`} type="image/svg+xml" />
        <link rel="stylesheet" href={`${base}/assets/dashboard.css`} />
        {scripts.map((s) => <script src={`${base}/assets/${s}`} defer></script>)}
        <script type="module" src={`${base}/assets/app.js`}></script>
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href={`${base}/calls`}><span class="brand-mark" aria-hidden="true">◉</span> PhoneVoice</a>
          {csrf ? (
            <>
              <nav aria-label="Main">
                <ul>
                  {NAV.map(([id, href, label]) => (
                    <li><a href={`${base}/${href}`} aria-current={section === id ? 'page' : undefined}>{label}</a></li>
                  ))}
                </ul>
              </nav>
              <form method="post" action={`${base}/sign-out`} class="sign-out">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit" class="button ghost">Sign out</button>
              </form>
            </>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>{children}</main>
        <div id="announcer" class="visually-hidden" aria-live="polite"></div>
      </body>
    </html>
  );
}

export function ErrorNote({ message }: { message: string }) {
  return <p class="notice error" role="alert">{message}</p>;
}
