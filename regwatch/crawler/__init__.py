"""regwatch's Scrapy project: spiders per source kind, extraction, and the store pipelines."""
