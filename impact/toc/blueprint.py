from flask import Blueprint

bp = Blueprint("toc", __name__, url_prefix="/projects/<int:project_id>/chain")
