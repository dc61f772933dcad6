"""Extraction on Spark: the same extractor as the CLI, mapped over documents, writing a Parquet lake.

`etl.spark.mapper` runs on executors (pandas only); `etl.spark.job` drives Spark and runs under spark-submit.
"""
