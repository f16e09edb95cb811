"""The rules of the 《鞍山市群众诉求办理条例》 as pure Python.

Nothing in this package reads a file, a clock, a socket or a database, and nothing imports the UI:
data arrives as text or dicts, time arrives as an argument. The seat and the server run the same code.
"""
