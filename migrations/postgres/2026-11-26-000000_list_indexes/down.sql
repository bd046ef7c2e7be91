DROP INDEX articles_published_list;
