/** Sign-up and login: one form, POST /auth/signup or /auth/login; the session cookie is set by the API. */
import { useState, type FormEvent } from 'react';
import { Button, FieldError, Form, Input, Label, TextField } from 'react-aria-components';
import type { SignedInDto } from '../../../src/auth/auth.routes.ts';
import { api, ApiError, rememberCsrfToken } from '../api.ts';
import { Link } from '../components/ui.tsx';

export function AuthScreen({ mode, onSignedIn }: { mode: 'login' | 'signup'; onSignedIn: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signup = mode === 'signup';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api<SignedInDto>(signup ? '/auth/signup' : '/auth/login', {
        method: 'POST',
        body: { email, password },
      });
      rememberCsrfToken(signedIn.csrfToken);
      onSignedIn();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'Shopsight could not be reached');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="auth" id="main">
      <div className="auth-card">
        <p className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Shopsight
        </p>
        <h1>{signup ? 'Create your account' : 'Log in'}</h1>
        <Form onSubmit={(event) => void submit(event)} className="form">
          <TextField
            type="email"
            name="email"
            isRequired
            autoComplete="email"
            value={email}
            onChange={setEmail}
          >
            <Label>Email</Label>
            <Input className="input" />
            <FieldError className="field-error" />
          </TextField>
          <TextField
            type="password"
            name="password"
            isRequired
            autoComplete={signup ? 'new-password' : 'current-password'}
            value={password}
            onChange={setPassword}
          >
            <Label>Password</Label>
            <Input className="input" />
            <FieldError className="field-error" />
          </TextField>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Button type="submit" className="button button-primary" isDisabled={busy}>
            {signup ? 'Create account' : 'Log in'}
          </Button>
        </Form>
        <p className="auth-switch">
          {signup ? (
            <>
              Have an account? <Link to="/login">Log in</Link>
            </>
          ) : (
            <>
              New to Shopsight? <Link to="/signup">Create an account</Link>
            </>
          )}
        </p>
      </div>
    </main>
  );
}
