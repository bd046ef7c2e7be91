// A Ghost Admin API session as a writing app runs it, through Ghost's own
// JavaScript client (@tryghost/admin-api): reads the site and the tags,
// uploads an image, writes a post from HTML, reads it back with
// formats=html, edits it, makes a stale edit (409), publishes; writes
// posts from a Mobiledoc markdown card and from Lexical, browses drafts,
// deletes one. A contributor then tries to publish. Last, forged tokens
// are sent through the client's `generateToken` hook. Prints a JSON
// summary for the Rust test to check.
//
// Environment: SITE, AUTHOR_KEY, CONTRIBUTOR_KEY (staff access tokens
// `id:secret`), IMAGE (a PNG path).
import GhostAdminAPI from '@tryghost/admin-api';
import jwt from 'jsonwebtoken';
import crypto from 'node:crypto';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// The client throws errors[0] of Ghost's body with every key copied.
const failure = async (promise) => {
  try {
    await promise;
    return null;
  } catch (e) {
    return { name: e.name, type: e.type, code: e.code ?? null, message: e.message, context: e.context ?? null, details: e.details ?? null };
  }
};

const site = env('SITE');
const authorKey = env('AUTHOR_KEY');
const client = (key, extra = {}) => new GhostAdminAPI({ url: site, key, version: 'v6.0', ...extra });
const author = client(authorKey);
const contributor = client(env('CONTRIBUTOR_KEY'));

const siteInfo = await author.site.read();
const tags = await author.tags.browse({ limit: 'all' });

const image = await author.images.upload({ file: env('IMAGE'), ref: 'une-élection.png' });

const title = 'Bénin : l’élection « sous haute surveillance » 🗳️';
const html = '<p>Les électeurs se sont rendus aux urnes.</p><p>Deuxième paragraphe, « guillemets » et émoji ✊🏿.</p>';
const draft = await author.posts.add(
  {
    title,
    html,
    custom_excerpt: 'Un scrutin suivi de près.',
    tags: ['Diplomatie', 'Sahel « vert » 🌍', { name: '#une' }],
    feature_image: image.url,
    feature_image_alt: 'Des électeurs font la queue',
    status: 'draft',
  },
  { source: 'html' },
);
const read = await author.posts.read({ id: draft.id }, { formats: 'html' });
const bySlug = await author.posts.read({ slug: draft.slug });

const edited = await author.posts.edit({ id: draft.id, updated_at: read.updated_at, title: `${title} (mise à jour)` });
// A colleague's client still holds the first updated_at.
const stale = await failure(author.posts.edit({ id: draft.id, updated_at: read.updated_at, title: 'Écrasé ?' }));
// Sending back what it read, unchanged, is no collision.
const unchanged = await author.posts.edit({ id: draft.id, updated_at: read.updated_at, title: `${title} (mise à jour)` });
const published = await author.posts.edit({ id: draft.id, updated_at: edited.updated_at, status: 'published' });

const markdown = '# Niamey\n\nLe **fleuve** Niger, « source de vie ».';
const fromMobiledoc = await author.posts.add({
  title: 'Brève du fleuve',
  mobiledoc: JSON.stringify({
    version: '0.3.1', markups: [], atoms: [],
    cards: [['markdown', { markdown }]],
    sections: [[10, 0]],
  }),
});
const fromMobiledocRead = await author.posts.read({ id: fromMobiledoc.id, formats: 'html,mobiledoc' });
const fromLexical = await author.posts.add({
  title: 'Brève lexicale',
  lexical: JSON.stringify({
    root: {
      children: [
        { type: 'markdown', version: 1, markdown: 'Texte en *Markdown*.' },
        { children: [], direction: null, format: '', indent: 0, type: 'paragraph', version: 1 },
      ],
      direction: null, format: '', indent: 0, type: 'root', version: 1,
    },
  }),
});
const drafts = await author.posts.browse({ filter: 'status:draft', limit: 5 });
const deleted = await author.posts.delete({ id: fromLexical.id });
const gone = await failure(author.posts.read({ id: fromLexical.id }));

const contributorRefused = await failure(
  contributor.posts.add({ title: 'Brève', html: '<p>Texte</p>', status: 'published' }, { source: 'html' }),
);
const contributorDraft = await contributor.posts.add({ title: 'Brève du contributeur', html: '<p>Texte</p>' }, { source: 'html' });

// Forged tokens, each sent by the client itself.
const [id, secret] = authorKey.split(':');
const now = Math.floor(Date.now() / 1000);
const forged = (token) => failure(client(authorKey, { generateToken: () => token }).posts.browse());
const sign = (payload, key = Buffer.from(secret, 'hex'), options = { keyid: id }) =>
  jwt.sign(payload, key, { algorithm: 'HS256', ...options });
const unsigned = [
  Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: id })).toString('base64url'),
  Buffer.from(JSON.stringify({ iat: now, exp: now + 300, aud: '/admin/' })).toString('base64url'),
  '',
].join('.');
const forgeries = {
  wrong_secret: await forged(sign({ iat: now, exp: now + 300, aud: '/admin/' }, crypto.randomBytes(32))),
  secret_as_text: await forged(sign({ iat: now, exp: now + 300, aud: '/admin/' }, secret)),
  wrong_audience: await forged(sign({ iat: now, exp: now + 300, aud: '/content/' })),
  old_iat: await forged(sign({ iat: now - 600, exp: now + 60, aud: '/admin/' })),
  alg_none: await forged(unsigned),
  missing_kid: await forged(sign({ iat: now, exp: now + 300, aud: '/admin/' }, Buffer.from(secret, 'hex'), {})),
  unknown_kid: await forged(sign({ iat: now, exp: now + 300, aud: '/admin/' }, Buffer.from(secret, 'hex'), { keyid: '0'.repeat(24) })),
};

console.log(JSON.stringify({
  site: siteInfo,
  tags: tags.map((t) => ({ id: t.id, name: t.name, slug: t.slug, visibility: t.visibility })),
  tags_meta: tags.meta,
  image,
  draft: { id: draft.id, status: draft.status, slug: draft.slug, has_meta: draft.meta !== undefined },
  read: {
    title: read.title,
    html: read.html,
    has_lexical: 'lexical' in read,
    custom_excerpt: read.custom_excerpt,
    tags: read.tags.map((t) => t.name),
    primary_tag: read.primary_tag && read.primary_tag.name,
    feature_image: read.feature_image,
    feature_image_alt: read.feature_image_alt,
    authors: read.authors.map((a) => a.id),
    updated_at: read.updated_at,
  },
  by_slug: bySlug.id,
  edited: { title: edited.title, updated_at: edited.updated_at },
  stale,
  unchanged: unchanged.updated_at,
  published: { status: published.status, published_at: published.published_at, url: published.url },
  mobiledoc: { id: fromMobiledoc.id, html: fromMobiledocRead.html, mobiledoc: fromMobiledocRead.mobiledoc },
  lexical: { id: fromLexical.id, status: fromLexical.status },
  drafts: { ids: drafts.map((p) => p.id), pagination: drafts.meta.pagination },
  deleted,
  gone,
  contributor: { refused: contributorRefused, draft: contributorDraft.status, id: contributorDraft.id },
  forgeries,
}));
