"""A local Canvas-compatible server: the Conversations API and what it needs around it.

It is a separate program that happens to ship in this package: it imports nothing of
the client, so everything that talks to it crosses the real wire format.
"""
