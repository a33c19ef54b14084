"""Relations in the workspace: arcs over the article (:mod:`.overlay`), the relation list
(:mod:`.panel`) and the keyboard and mouse commands that make and change them (:mod:`.controller`)."""
