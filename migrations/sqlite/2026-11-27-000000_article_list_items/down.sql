DROP TABLE article_list_items;
