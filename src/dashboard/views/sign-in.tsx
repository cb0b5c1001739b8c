import { Layout } from './layout.js';

export function SignInPage({ base, error, next }: { base: string; error?: string; next?: string }) {
  return (
    <Layout title="Sign in" base={base}>
      <section class="sign-in card" aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to the console</h1>
        <p class="muted">Use an API key of your account (from <code>phonevoice keys create</code> or the first-start credentials file).</p>
        <form method="post" action={`${base}/sign-in`}>
          {next ? <input type="hidden" name="next" value={next} /> : null}
          <div class="field">
            <label for="api_key">API key</label>
            <input id="api_key" name="api_key" type="password" autocomplete="current-password" required
              aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'api_key-error' : undefined} />
            {error ? <p id="api_key-error" class="field-error" role="alert">{error}</p> : null}
          </div>
          <button type="submit" class="button primary">Sign in</button>
        </form>
      </section>
    </Layout>
  );
}
