"""Knowledge base (知识库) for the seat: articles, import/export, a Chinese search index in the
seat's SQLite file, and staleness checks (R19.3, R20.1, R34.1).

Nothing here imports Textual, and nothing imports jieba at query time (see README.md).
"""
