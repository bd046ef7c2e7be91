// A WordPress REST session as a real client runs it: wpapi (the REST
// API's JavaScript client) discovers the API from the site's address,
// reads the author's profile, categories and tags, creates a tag, uploads
// an image, writes a draft, reads it back in the edit context, updates and
// publishes it, and checks what the public sees; a contributor then tries
// to publish. Prints a JSON summary for the Rust test to check.
//
// Environment: SITE, AUTHOR_EMAIL, AUTHOR_PASSWORD, CONTRIBUTOR_EMAIL,
// CONTRIBUTOR_PASSWORD (application passwords), IMAGE (a PNG path).
import WPAPI from 'wpapi';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// wpapi rejects with the response body: WordPress's {code, message, data}.
const failure = async (promise) => {
  try {
    await promise;
    return null;
  } catch (e) {
    return { code: e.code, status: e.data && e.data.status, message: e.message };
  }
};

const site = env('SITE');
const anonymous = await WPAPI.discover(site);
const author = (await WPAPI.discover(site)).auth({
  username: env('AUTHOR_EMAIL'),
  password: env('AUTHOR_PASSWORD'),
});
const contributor = (await WPAPI.discover(site)).auth({
  username: env('CONTRIBUTOR_EMAIL'),
  password: env('CONTRIBUTOR_PASSWORD'),
});

const me = await author.users().me().context('edit');
const categories = await anonymous.categories().perPage(100);
const diplomatie = categories.find((c) => c.name === 'Diplomatie');
if (!diplomatie) throw new Error(`no Diplomatie in ${JSON.stringify(categories)}`);

const tagName = 'Sahel « vert » 🌍';
const found = await author.tags().search('sahel');
const tag = found.find((t) => t.name === tagName) || (await author.tags().create({ name: tagName }));
const tagSearch = await anonymous.tags().search('SAHEL');

const media = await author.media().file(env('IMAGE'), 'une-élection.png').create({
  title: 'Bureau de vote à Cotonou',
  alt_text: 'Des électeurs font la queue',
  caption: 'Cotonou, le 1er décembre.',
});

const title = 'Bénin : l’élection « sous haute surveillance » 🗳️';
const content = '<p>Les électeurs se sont rendus aux urnes.</p>\n<p>Deuxième paragraphe.</p>';
const draft = await author.posts().create({
  title,
  content,
  excerpt: 'Un scrutin suivi de près.',
  status: 'draft',
  categories: [diplomatie.id],
  tags: [tag.id],
  featured_media: media.id,
});
const edit = await author.posts().id(draft.id).context('edit');
const hiddenById = await failure(anonymous.posts().id(draft.id));
const hiddenBySlug = await anonymous.posts().slug(draft.slug);
const drafts = await author.posts().status('draft');

const updated = await author.posts().id(draft.id).update({ title: `${title} (mise à jour)` });
const published = await author.posts().id(draft.id).update({ status: 'publish' });
const read = await anonymous.posts().id(draft.id).embed();
const listed = await anonymous.posts().categories(diplomatie.id).perPage(10).embed();

const refused = await failure(
  contributor.posts().create({ title: 'Brève', content: '<p>Texte</p>', status: 'publish' }),
);
const contributorDraft = await contributor.posts().create({ title: 'Brève', content: '<p>Texte</p>' });

console.log(
  JSON.stringify({
    me: { id: me.id, email: me.email, roles: me.roles, publish: me.capabilities.publish_posts === true },
    category: diplomatie.id,
    tag: { id: tag.id, name: tag.name, found: tagSearch.map((t) => t.id) },
    media: {
      id: media.id,
      source_url: media.source_url,
      alt_text: media.alt_text,
      sizes: Object.keys(media.media_details.sizes),
    },
    draft: { id: draft.id, status: draft.status, slug: draft.slug },
    edit: {
      title: edit.title.raw,
      content: edit.content.raw,
      categories: edit.categories,
      tags: edit.tags,
      featured_media: edit.featured_media,
    },
    hidden: { by_id: hiddenById, by_slug: hiddenBySlug.length, drafts: drafts.map((p) => p.id) },
    updated: updated.title.raw,
    published: published.status,
    read: {
      title: read.title.rendered,
      author: read._embedded.author[0].id,
      featured: read._embedded['wp:featuredmedia'][0].id,
      terms: read._embedded['wp:term'].map((list) => list.map((t) => t.id)),
    },
    listed: { ids: listed.map((p) => p.id), total: listed._paging.total },
    contributor: { refused, draft: contributorDraft.status },
  }),
);
