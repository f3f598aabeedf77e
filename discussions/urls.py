from django.urls import path

from discussions.views import blogs, moderation, threads

app_name = "discussions"

community = "communities/<slug:slug>/"

urlpatterns = [
    # Boards, threads and posts.
    path(f"{community}boards/", threads.board_list, name="boards"),
    path(f"{community}boards/new/", moderation.board_create, name="board_create"),
    path(f"{community}boards/<slug:board>/", threads.board_detail, name="board"),
    path(f"{community}boards/<slug:board>/edit/", moderation.board_edit, name="board_edit"),
    path(f"{community}boards/<slug:board>/new/", threads.thread_new, name="thread_new"),
    path(f"{community}threads/<int:pk>/", threads.thread_detail, name="thread"),
    path(f"{community}threads/<int:pk>/reply/", threads.thread_reply, name="reply"),
    path(f"{community}threads/<int:pk>/post/", threads.thread_post, name="thread_post"),
    path(f"{community}threads/<int:pk>/accept/", threads.answer_accept, name="accept"),
    path(f"{community}threads/<int:pk>/moderate/", moderation.thread_moderate, name="thread_moderate"),
    path(f"{community}posts/<int:pk>/edit/", threads.post_edit, name="post_edit"),
    path(f"{community}posts/<int:pk>/history/", threads.post_history, name="post_history"),
    path(f"{community}posts/<int:pk>/delete/", threads.post_delete, name="post_delete"),
    path(f"{community}posts/<int:pk>/flag/", moderation.post_flag, name="post_flag"),
    path(f"{community}posts/<int:pk>/hide/", moderation.post_hide, name="post_hide"),
    path(f"{community}moderation/", moderation.moderation_queue, name="moderation"),
    path(f"{community}read/", threads.community_mark_read, name="mark_read"),
    # Blogs: a blog post is a thread with one author; its replies are comments.
    path(f"{community}blog/", blogs.community_blog, name="blog"),
    path(f"{community}blog/new/", blogs.blog_post_new, name="blog_new"),
    path(f"{community}blog/<int:pk>/", blogs.blog_post_detail, name="blog_post"),
    path(f"{community}blog/<int:pk>/publish/", blogs.blog_post_publish, name="blog_publish"),
    path("members/<int:pk>/blog/", blogs.member_blog, name="member_blog"),
    # Tags across every content type the member may see.
]
