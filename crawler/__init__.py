"""Scrapy spiders, middlewares and platform adapters. Calls provenance/ and archive/."""
