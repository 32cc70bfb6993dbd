"""Video linkage (视频联报): the camera and video-point registry, nearest cameras of an incident,
clips recorded in the field and uploaded resumably, and the consultation's video-conference link."""
