"""Reading returned forms: one extractor per input kind, one result type.

    from extractors import extract
    result = extract(path)            # -> docgen.extraction.Extraction
    print(result.to_json())

``extract`` decides the input kind by content (not by extension), runs the matching reader
(``extractors.docx``, ``extractors.pdf``, ``extractors.image``) to get a ``ReadDocument`` and
interprets it against the bundled form schemas (``docgen.interpret``).
"""
