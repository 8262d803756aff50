"""Records: the plain typed values that travel between the stages (a talk, its media, its
transcript, its document, a job, the stages' settings) and `Yt2DocError`.

Takes in: nothing. Gives out: frozen dataclasses with their JSON forms.
Must not import: any other part of mkdocs_yt2doc.
"""
