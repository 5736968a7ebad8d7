import { useEffect, useRef, useState } from 'preact/hooks';
import { Notice } from '../components/notice.js';
import { useI18n, type Translate } from '../i18n/i18n.js';
import { formatClock } from '../lib/format.js';
import { auth } from '../state/auth.js';
import { useChat, type ConnectionState } from '../state/chat.js';
import { useStore } from '../state/store.js';

const DEFAULT_ROOM = 'lobby';

/** Users without a name appear by a short form of their id: never their email. */
function displayName(user: { id: string; name: string | null }): string {
  return user.name ?? `user-${user.id.slice(0, 8)}`;
}

function connectionText(state: ConnectionState, t: Translate): string {
  switch (state.kind) {
    case 'connecting':
      return t('chat.state.connecting');
    case 'connected':
      return t('chat.state.connected');
    case 'reconnecting':
      return t('chat.state.reconnecting', { n: state.attempt });
    case 'disconnected':
      return `${t('chat.state.disconnected')} (${state.reason})`;
    case 'refused':
      return t('chat.state.refused', { message: state.message });
  }
}

export function ChatPage() {
  const { t, lang } = useI18n();
  const { me, ready, accessToken } = useStore(auth);
  // Reconnect when who we are, or how we prove it, changes.
  const identity = me ? `${me.user.id}:${me.credential.kind}:${accessToken ? 'bearer' : 'cookie'}` : null;
  const chat = useChat(identity);
  const { view } = chat;
  const [draft, setDraft] = useState('');
  const [roomDraft, setRoomDraft] = useState('');
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    if (identity && view.rooms.length === 0) chat.join(DEFAULT_ROOM);
  }, [identity]);

  const messages = view.active ? (view.messages[view.active] ?? []) : [];
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [messages.length]);

  if (!ready) return <p>{t('common.loading')}</p>;
  if (!me) {
    return (
      <section>
        <h1>{t('chat.title')}</h1>
        {view.ended && (
          <>
            <p>
              {t('chat.connection')}{' '}
              <span data-testid="connection-state" data-state="disconnected" class="pill pill-disconnected">
                {t('chat.state.disconnected')}
              </span>
            </p>
            <Notice kind="error">{t('chat.ended', { message: view.ended })}</Notice>
          </>
        )}
        <p>
          {t('common.signInFirst')} <a href="/login">{t('nav.login')}</a>
        </p>
      </section>
    );
  }

  const presence = view.active ? (view.presence[view.active] ?? []) : [];
  const state = view.connection;
  return (
    <section class="chat">
      <h1>{t('chat.title')}</h1>
      <dl class="status-bar">
        <div>
          <dt>{t('chat.connection')}</dt>
          <dd data-testid="connection-state" data-state={state.kind} class={`pill pill-${state.kind}`} aria-live="polite">
            {connectionText(state, t)}
          </dd>
        </div>
        <div>
          <dt>{t('chat.transport')}</dt>
          <dd data-testid="transport" class="mono">
            {view.transport ?? '—'}
          </dd>
        </div>
        <div>
          <dt>{t('chat.node')}</dt>
          <dd data-testid="node" class="mono">
            {view.node ?? t('chat.node.unknown')}
          </dd>
        </div>
      </dl>
      {view.ended && (
        <Notice kind="error">
          {t('chat.ended', { message: view.ended })}{' '}
        </Notice>
      )}
      {view.problem && <Notice kind="error">{view.problem}</Notice>}
      {(state.kind === 'refused' || state.kind === 'disconnected') && (
        <button type="button" onClick={() => chat.reconnect()} data-testid="reconnect">
          {t('chat.reconnect')}
        </button>
      )}
      <div class="chat-grid">
        <aside class="panel" aria-labelledby="rooms-h">
          <h2 id="rooms-h">{t('chat.rooms')}</h2>
          <ul class="room-list" data-testid="room-list">
            {view.rooms.map((room) => (
              <li key={room}>
                <button type="button" aria-pressed={view.active === room} onClick={() => chat.select(room)} class="room">
                  # {room}
                </button>
                <button type="button" class="small" onClick={() => chat.leave(room)} aria-label={t('chat.leave', { room })}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          <form
            class="inline"
            onSubmit={(e) => {
              e.preventDefault();
              chat.join(roomDraft);
              setRoomDraft('');
            }}
          >
            <label>
              <span class="sr-only">{t('chat.roomName')}</span>
              <input value={roomDraft} onInput={(e) => setRoomDraft(e.currentTarget.value)} placeholder={t('chat.roomName')} maxLength={64} data-testid="room-input" />
            </label>
            <button type="submit" data-testid="join-button">
              {t('chat.join')}
            </button>
          </form>
          <h2 id="presence-h">{t('chat.presence')}</h2>
          <ul class="presence" data-testid="presence-list" aria-labelledby="presence-h">
            {presence.map((user) => (
              <li key={user.id} data-user-id={user.id}>
                <span class="dot" aria-hidden="true" /> {displayName(user)}
              </li>
            ))}
          </ul>
        </aside>
        <div class="panel conversation">
          <h2 id="messages-h">{t('chat.messages', { room: view.active ?? '—' })}</h2>
          {view.active && view.historyLoaded[view.active] !== undefined && (
            <p class="muted small-text" data-testid="history-note">
              {t('chat.history', { count: view.historyLoaded[view.active] ?? 0 })}
            </p>
          )}
          <ol class="messages" ref={listRef} data-testid="message-list" aria-labelledby="messages-h" aria-live="polite">
            {messages.length === 0 && <li class="muted">{t('chat.empty')}</li>}
            {messages.map((m) => (
              <li key={m.localId ?? m.id} class={m.user.id === me.user.id ? 'mine' : ''} data-delivery={m.delivery} data-message-id={m.id}>
                <span class="author">{displayName(m.user)}</span>
                <span class="text">{m.text}</span>
                <span class="meta">
                  <time dateTime={new Date(m.ts).toISOString()}>{formatClock(m.ts, lang)}</time>
                  {m.delivery === 'acked' && (
                    <span class="tick" title={t('chat.acked')} aria-label={t('chat.acked')} data-testid="ack">
                      ✓
                    </span>
                  )}
                  {m.delivery === 'pending' && (
                    <span class="pending" title={t('chat.pending')} aria-label={t('chat.pending')}>
                      …
                    </span>
                  )}
                  {m.delivery === 'failed' && <span class="failed">{t('chat.failed', { message: m.failure ?? '' })}</span>}
                </span>
              </li>
            ))}
          </ol>
          <form
            class="inline composer"
            onSubmit={(e) => {
              e.preventDefault();
              chat.send(draft);
              setDraft('');
            }}
          >
            <label class="grow">
              <span class="sr-only">{t('chat.message')}</span>
              <input value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder={t('chat.message')} maxLength={2000} disabled={!view.active} data-testid="message-input" />
            </label>
            <button type="submit" class="primary" disabled={!view.active || !draft.trim() || state.kind !== 'connected'} data-testid="send-button">
              {t('chat.send')}
            </button>
          </form>
        </div>
      </div>
      <p class="hint">{t('chat.notes')}</p>
    </section>
  );
}
